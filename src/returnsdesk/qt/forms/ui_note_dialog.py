# Generated from ui/note_dialog.ui by scripts/build_forms.py. Do not edit: edit the .ui file.
from PySide6.QtCore import (QCoreApplication, QDate, QDateTime, QLocale,
    QMetaObject, QObject, QPoint, QRect,
    QSize, QTime, QUrl, Qt)
from PySide6.QtGui import (QBrush, QColor, QConicalGradient, QCursor,
    QFont, QFontDatabase, QGradient, QIcon,
    QImage, QKeySequence, QLinearGradient, QPainter,
    QPalette, QPixmap, QRadialGradient, QTransform)
from PySide6.QtWidgets import (QAbstractButton, QApplication, QDialog, QDialogButtonBox,
    QLabel, QLineEdit, QSizePolicy, QSpacerItem,
    QVBoxLayout, QWidget)

class Ui_NoteDialog(object):
    def setupUi(self, NoteDialog):
        if not NoteDialog.objectName():
            NoteDialog.setObjectName(u"NoteDialog")
        NoteDialog.resize(560, 160)
        self.rootLayout = QVBoxLayout(NoteDialog)
        self.rootLayout.setObjectName(u"rootLayout")
        self.prompt = QLabel(NoteDialog)
        self.prompt.setObjectName(u"prompt")
        self.prompt.setTextFormat(Qt.TextFormat.PlainText)
        self.prompt.setWordWrap(True)

        self.rootLayout.addWidget(self.prompt)

        self.noteEdit = QLineEdit(NoteDialog)
        self.noteEdit.setObjectName(u"noteEdit")

        self.rootLayout.addWidget(self.noteEdit)

        self.spacer = QSpacerItem(0, 0, QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Expanding)

        self.rootLayout.addItem(self.spacer)

        self.buttonBox = QDialogButtonBox(NoteDialog)
        self.buttonBox.setObjectName(u"buttonBox")
        self.buttonBox.setStandardButtons(QDialogButtonBox.StandardButton.Cancel|QDialogButtonBox.StandardButton.Ok)

        self.rootLayout.addWidget(self.buttonBox)

        self.prompt.setBuddy(self.noteEdit)

        self.retranslateUi(NoteDialog)
        self.buttonBox.accepted.connect(NoteDialog.accept)
        self.buttonBox.rejected.connect(NoteDialog.reject)

        QMetaObject.connectSlotsByName(NoteDialog)
    # setupUi

    def retranslateUi(self, NoteDialog):
        self.prompt.setText("")
        self.noteEdit.setAccessibleName(QCoreApplication.translate("NoteDialog", u"Note", None))
        pass
    # retranslateUi
