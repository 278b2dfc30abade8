# Generated from ui/sign_in_dialog.ui by scripts/build_forms.py. Do not edit: edit the .ui file.
from PySide6.QtCore import (QCoreApplication, QDate, QDateTime, QLocale,
    QMetaObject, QObject, QPoint, QRect,
    QSize, QTime, QUrl, Qt)
from PySide6.QtGui import (QBrush, QColor, QConicalGradient, QCursor,
    QFont, QFontDatabase, QGradient, QIcon,
    QImage, QKeySequence, QLinearGradient, QPainter,
    QPalette, QPixmap, QRadialGradient, QTransform)
from PySide6.QtWidgets import (QAbstractButton, QApplication, QDialog, QDialogButtonBox,
    QFormLayout, QLabel, QLineEdit, QSizePolicy,
    QVBoxLayout, QWidget)

class Ui_SignInDialog(object):
    def setupUi(self, SignInDialog):
        if not SignInDialog.objectName():
            SignInDialog.setObjectName(u"SignInDialog")
        SignInDialog.resize(480, 200)
        self.rootLayout = QVBoxLayout(SignInDialog)
        self.rootLayout.setObjectName(u"rootLayout")
        self.intro = QLabel(SignInDialog)
        self.intro.setObjectName(u"intro")
        self.intro.setTextFormat(Qt.TextFormat.PlainText)
        self.intro.setWordWrap(True)

        self.rootLayout.addWidget(self.intro)

        self.form = QFormLayout()
        self.form.setObjectName(u"form")
        self.badgeLabel = QLabel(SignInDialog)
        self.badgeLabel.setObjectName(u"badgeLabel")
        self.badgeLabel.setTextFormat(Qt.TextFormat.PlainText)

        self.form.setWidget(0, QFormLayout.ItemRole.LabelRole, self.badgeLabel)

        self.badgeEdit = QLineEdit(SignInDialog)
        self.badgeEdit.setObjectName(u"badgeEdit")
        self.badgeEdit.setMaxLength(80)

        self.form.setWidget(0, QFormLayout.ItemRole.FieldRole, self.badgeEdit)

        self.pinLabel = QLabel(SignInDialog)
        self.pinLabel.setObjectName(u"pinLabel")
        self.pinLabel.setTextFormat(Qt.TextFormat.PlainText)

        self.form.setWidget(1, QFormLayout.ItemRole.LabelRole, self.pinLabel)

        self.pinEdit = QLineEdit(SignInDialog)
        self.pinEdit.setObjectName(u"pinEdit")
        self.pinEdit.setMaxLength(12)
        self.pinEdit.setEchoMode(QLineEdit.EchoMode.Password)

        self.form.setWidget(1, QFormLayout.ItemRole.FieldRole, self.pinEdit)


        self.rootLayout.addLayout(self.form)

        self.error = QLabel(SignInDialog)
        self.error.setObjectName(u"error")
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setWordWrap(True)

        self.rootLayout.addWidget(self.error)

        self.buttonBox = QDialogButtonBox(SignInDialog)
        self.buttonBox.setObjectName(u"buttonBox")
        self.buttonBox.setStandardButtons(QDialogButtonBox.StandardButton.Cancel|QDialogButtonBox.StandardButton.Ok)

        self.rootLayout.addWidget(self.buttonBox)

        self.badgeLabel.setBuddy(self.badgeEdit)
        self.pinLabel.setBuddy(self.pinEdit)
        QWidget.setTabOrder(self.badgeEdit, self.pinEdit)

        self.retranslateUi(SignInDialog)
        self.buttonBox.accepted.connect(SignInDialog.accept)
        self.buttonBox.rejected.connect(SignInDialog.reject)

        QMetaObject.connectSlotsByName(SignInDialog)
    # setupUi

    def retranslateUi(self, SignInDialog):
        SignInDialog.setWindowTitle(QCoreApplication.translate("SignInDialog", u"Sign in", None))
        self.intro.setText(QCoreApplication.translate("SignInDialog", u"Scan your badge or type its code, then your PIN.", None))
        self.badgeLabel.setText(QCoreApplication.translate("SignInDialog", u"Badge", None))
        self.badgeEdit.setAccessibleName(QCoreApplication.translate("SignInDialog", u"Badge", None))
        self.pinLabel.setText(QCoreApplication.translate("SignInDialog", u"PIN (leads and admins always)", None))
        self.pinEdit.setAccessibleName(QCoreApplication.translate("SignInDialog", u"PIN", None))
        self.error.setText("")
        self.error.setStyleSheet(QCoreApplication.translate("SignInDialog", u"color:#842029", None))
    # retranslateUi
