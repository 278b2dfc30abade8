# Generated from ui/crash_dialog.ui by scripts/build_forms.py. Do not edit: edit the .ui file.
from PySide6.QtCore import (QCoreApplication, QDate, QDateTime, QLocale,
    QMetaObject, QObject, QPoint, QRect,
    QSize, QTime, QUrl, Qt)
from PySide6.QtGui import (QBrush, QColor, QConicalGradient, QCursor,
    QFont, QFontDatabase, QGradient, QIcon,
    QImage, QKeySequence, QLinearGradient, QPainter,
    QPalette, QPixmap, QRadialGradient, QTransform)
from PySide6.QtWidgets import (QAbstractButton, QApplication, QDialog, QDialogButtonBox,
    QLabel, QPlainTextEdit, QSizePolicy, QVBoxLayout,
    QWidget)

class Ui_CrashDialog(object):
    def setupUi(self, CrashDialog):
        if not CrashDialog.objectName():
            CrashDialog.setObjectName(u"CrashDialog")
        CrashDialog.resize(720, 420)
        self.rootLayout = QVBoxLayout(CrashDialog)
        self.rootLayout.setObjectName(u"rootLayout")
        self.message = QLabel(CrashDialog)
        self.message.setObjectName(u"message")
        self.message.setTextFormat(Qt.TextFormat.RichText)
        self.message.setWordWrap(True)

        self.rootLayout.addWidget(self.message)

        self.details = QPlainTextEdit(CrashDialog)
        self.details.setObjectName(u"details")
        self.details.setReadOnly(True)

        self.rootLayout.addWidget(self.details)

        self.buttonBox = QDialogButtonBox(CrashDialog)
        self.buttonBox.setObjectName(u"buttonBox")
        self.buttonBox.setStandardButtons(QDialogButtonBox.StandardButton.Close)

        self.rootLayout.addWidget(self.buttonBox)


        self.retranslateUi(CrashDialog)
        self.buttonBox.rejected.connect(CrashDialog.reject)

        QMetaObject.connectSlotsByName(CrashDialog)
    # setupUi

    def retranslateUi(self, CrashDialog):
        CrashDialog.setWindowTitle(QCoreApplication.translate("CrashDialog", u"returnsdesk hit a bug", None))
        self.message.setText("")
        self.details.setAccessibleName(QCoreApplication.translate("CrashDialog", u"Details for IT", None))
    # retranslateUi
